"""The internships' forms: `placements` (internships, evaluations) and `offers` (offers,
applications, partner companies and sites)."""
