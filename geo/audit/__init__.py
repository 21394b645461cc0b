"""The append-only, hash-chained audit log (table audit.log, migration 0016)."""
