"""The independent auditor of Clinlead's anonymity promise (issue 11), and its attacks.

Written from the property alone (docs/anonymity.md): the figures of one statistic that a cycle
(or a table) shows anywhere cut the respondents into parts, people covered by exactly the same
figures; every part holds 0 or at least k people who contribute to that statistic. Nothing
here imports the product's disclosure rule; figures are read back from the analyst command,
`clinlead leaderindex published`, pages and exports, and checked against the database.

- auditor.py: parts and consistency of one statistic's figures (pure Python);
- published.py: reading `score/published --json --covers` output and the ground truth;
- table_attack.py: a reader who solves shown counts for hidden cells of category tables;
- nhs_world.py: NHS-shaped analyst files for hypothesis; pages.py: tables off HTML.
"""
