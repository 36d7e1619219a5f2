"""From statements to aligned pairs: ``candidates`` (which claims to compare) and ``judging``
(the scorer's verdicts as edges, edges as aligned pairs)."""
