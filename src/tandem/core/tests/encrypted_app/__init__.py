"""A test-only app whose model exercises EncryptedTextField and the key-rotation command."""
