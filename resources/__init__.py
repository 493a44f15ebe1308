"""Data files (OpenAPI document, stylesheet, icons) loaded through importlib.resources."""
