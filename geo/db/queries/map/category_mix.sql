-- Cases per category in the date range under the filters.
SELECT s.category_code AS category, count(*) AS cases
FROM ({scope}) s
WHERE s.reported_at >= %(start)s AND s.reported_at < %(end)s AND {case_filter}
GROUP BY 1 ORDER BY 2 DESC
