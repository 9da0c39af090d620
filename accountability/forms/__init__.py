"""Forms of accountability's pages: they read input; the services decide and write."""
