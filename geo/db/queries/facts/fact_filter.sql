-- The page's filters on fact rows s: categories, sources and states (NULL = all of them).
(%(categories)s::text[] IS NULL OR s.category_code = ANY (%(categories)s))
AND (%(sources)s::text[] IS NULL OR s.source = ANY (%(sources)s))
AND (%(states)s::text[] IS NULL OR s.state = ANY (%(states)s))
