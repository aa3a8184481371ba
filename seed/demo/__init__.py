"""The demonstration (`seed_demo`): three Welsh YOTs, their staff and young people.

`organisations` makes the teams, agencies and accounts; `young_people` their case records;
`formulation` and `supervision` the psychologist's work; `vocabulary` the fiction they share
with the scale data.
"""
