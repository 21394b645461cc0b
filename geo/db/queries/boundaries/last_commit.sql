-- Who last changed a community's boundaries, when and why (for the conflict message).
SELECT author, created_at, note FROM boundary_version
WHERE community_id = %(community_id)s ORDER BY id DESC LIMIT 1
