"""Security regressions: each test performs an attack of the outside audit (issue 16) through HTTP,
as the role that tried it, and checks that it now fails."""
