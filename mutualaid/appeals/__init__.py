"""Residents' appeals (民呼必应 · 接诉即办): filed, handled level by level, rated, in the open."""
