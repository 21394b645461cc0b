-- Cases per category in the date range under the filters.
SELECT c.category_code AS category, count(*) AS cases
FROM ({scope}) s
JOIN cases c ON c.id = s.case_id
WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s AND {case_filter}
GROUP BY 1 ORDER BY 2 DESC
