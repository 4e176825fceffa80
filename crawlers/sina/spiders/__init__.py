"""Thin spiders: they list, fetch and emit raw records; parsing is the application's business."""
