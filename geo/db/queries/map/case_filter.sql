-- The page's filters on the scope's cases s: categories, sources and states (NULL = all of
-- them). The state is where a case stands now: open, overdue (open past its deadline) or closed.
(%(categories)s::text[] IS NULL OR s.category_code = ANY (%(categories)s))
AND (%(sources)s::text[] IS NULL OR s.source = ANY (%(sources)s))
AND (%(states)s::text[] IS NULL OR
     CASE WHEN s.closed THEN 'closed' WHEN s.deadline < now() THEN 'overdue' ELSE 'open' END
     = ANY (%(states)s))
