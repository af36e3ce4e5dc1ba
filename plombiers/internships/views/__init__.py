"""The internships' pages: `placements` (internships, conventions signed and tutor evaluations
through links), `offers` (job and internship offers, applications, partner companies) and
`matching` (the offers for a young person, the young people for an offer)."""
