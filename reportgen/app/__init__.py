"""The application layer: what the command line and the web workbench call into."""
