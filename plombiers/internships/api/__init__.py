"""The internships' API: `placements` (internships, offers, applications) and `matching`, one
router each, added to the API in `plombiers/api/urls.py`."""
