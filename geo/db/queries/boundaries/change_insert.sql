INSERT INTO boundary_change (version_id, layer, code, change, old_id, new_id)
VALUES (%(version_id)s, %(layer)s, %(code)s, %(change)s, %(old_id)s, %(new_id)s)
