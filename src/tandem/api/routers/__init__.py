"""The API's operations, one module per app they serve. Each operation parses, calls the
app's gate, then one service or selector, exactly as that app's pages do."""
