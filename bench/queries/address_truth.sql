-- The demo's address-only cases with the building their address text describes.
SELECT c.address_text, t.address_building_id, t.address_matchable
FROM cases c JOIN demo_truth.case_location t ON t.case_id = c.id
WHERE c.geom IS NULL AND c.raw_lon IS NULL
ORDER BY c.id
