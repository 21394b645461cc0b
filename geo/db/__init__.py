"""Database access: local cluster, connections, migrations. Knows no feature module."""
