"""Bringing the practice's old blog over from WordPress or Squarespace: see importer.py."""
