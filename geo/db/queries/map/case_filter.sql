-- The page's filters on cases c: categories, sources and states (NULL = all of them). The
-- state is where a case stands now: open, overdue (open past its deadline) or closed.
(%(categories)s::text[] IS NULL OR c.category_code = ANY (%(categories)s))
AND (%(sources)s::text[] IS NULL OR c.source = ANY (%(sources)s))
AND (%(states)s::text[] IS NULL OR
     CASE WHEN c.status = 'closed' THEN 'closed' WHEN c.deadline < now() THEN 'overdue' ELSE 'open' END
     = ANY (%(states)s))
