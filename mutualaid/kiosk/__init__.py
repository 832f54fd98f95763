"""Share-hut kiosks: lobby tablets with a token of their own, a live board and brief sign-ins."""
