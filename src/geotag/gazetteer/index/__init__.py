"""The compiled gazetteer index: its file format, its writer and its reader."""
