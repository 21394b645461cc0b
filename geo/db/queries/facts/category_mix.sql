-- Cases per category in the date range under the filters.
SELECT s.category_code AS category, sum(s.n)::bigint AS cases
FROM ({facts}) s
WHERE s.day >= %(start)s AND s.day < %(end)s AND {fact_filter}
GROUP BY 1 ORDER BY 2 DESC
