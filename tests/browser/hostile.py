"""A statement whose text tries to run script in the browser (the injection test's fixture).

Its payloads stand in body paragraphs that are real sentences, so the parser
keeps them as numbered paragraphs and retrieval can return them. Its topic
(Baltic fisheries) is unlike the seed statements', so it does not disturb the
other browser tests that share the server.
"""

DOC_ID = "PC.DEL/999/21"
FILENAME = "xx-2021-03-hostile-fisheries.txt"

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MDLINK = "[click](javascript:window.__pwned=1)"
# The title reaches the page twice: in our panel and, via the statement filter's
# choices, in the JSON config Gradio inlines in a <script> (a "</script>" there
# would end that script if Gradio did not escape "<").
TITLE = 'Fisheries quotas </script><img src=x onerror="window.__pwned=2"> in the Baltic Sea'

TEXT = f"""Delegation of Freedonia

Statement on fisheries quotas in the Baltic Sea

As delivered to the Permanent Council, Vienna, 4 March 2021

Mr. Chairperson,

Freedonia is concerned that the fisheries quotas in the Baltic Sea were published with the notice {SCRIPT} and nothing else.

The fisheries ministry's page on Baltic Sea quotas showed {IMG} where the quota table should have been.

Fishermen were told to {MDLINK} to read the Baltic Sea fisheries quotas for next year.

Freedonia calls on all participating States to agree fair fisheries quotas in the Baltic Sea by consensus.

Thank you, Mr. Chairperson.
"""

META = {"id": DOC_ID, "delegation": "Freedonia", "date": "2021-03-04", "title": TITLE}
QUESTION = "What did Freedonia say about fisheries quotas in the Baltic Sea?"
