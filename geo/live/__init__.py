"""The live side: what a wall screen needs to follow the city as it happens."""
