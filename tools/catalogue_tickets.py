"""Ticket rows for hubspot_nb/sandbox/crm/hubspot_properties.tsv, from a portal's property dump.

Usage: git show fc5bfcd:hubspot/objects/tickets/properties.md > tickets.md   (hairsolutionsco/automations_hub)
       python tools/catalogue_tickets.py tickets.md >> hubspot_nb/sandbox/crm/hubspot_properties.tsv
Kept, as for the reference TSV: ``hs_*`` names and the non-``hs_`` names HubSpot defines on tickets (KEEP);
names carrying portal ids (5+ digits: stages of the portal's own pipelines) are dropped.
"""

import re
import sys

text = open(sys.argv[1]).read()
detail = text.split("## Detailed Property Documentation", 1)[1]
detail = detail.split("### Completely Empty Properties", 1)[0]
blocks = re.split(r"\n### ", "\n" + detail)
KEEP = set("""closed_date content createdate created_by first_agent_reply_date hubspot_owner_assigneddate
hubspot_owner_id hubspot_team_id last_engagement_date last_reply_date notes_last_contacted notes_last_updated
notes_next_activity_date nps_follow_up_answer nps_follow_up_question_version nps_score num_contacted_notes
num_notes source_ref source_thread_id source_type subject time_to_close time_to_first_agent_reply""".split())
SRC = "hairsolutionsco/automations_hub:hubspot/objects/tickets/properties.md (commit fc5bfcd)"
rows = []
for b in blocks:
    m = re.search(r"\*\*Name:\*\* `([^`]*)`", b)
    if not m: continue
    label = b.split("\n", 1)[0].strip()
    name = m.group(1)
    typ = re.search(r"\*\*Type:\*\* `([^`]*)`", b).group(1)
    ft = re.search(r"\*\*Field Type:\*\* `([^`]*)`", b).group(1)
    if not (name.startswith("hs_") or name in KEEP): continue
    if re.search(r"\d{5,}", name): continue
    opts = re.findall(r"^  - .*\(`([^`]*)`\)\s*$", b, re.M)
    rows.append(("tickets", name, typ, ft, "", label, ";".join(opts), SRC))
rows.sort(key=lambda r: r[1])
for r in rows:
    assert not any("\t" in x or "\n" in x for x in r), r
    print("\t".join(r))
print(len(rows), file=sys.stderr)
