"""Views of the case record, one module per area: caseload lists, one young person, and the
records about them. Each view parses input, calls one service or selector, and renders."""
