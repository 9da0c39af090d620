"""How long a person's text may be: one set of named limits for every model, form and serializer.

Every text input has a limit, so a pasted 10 MB log never becomes a ticket
description, a reply or a motion, and an oversized value is refused with a
field error (a form error on pages, 400 with `fields` in the API), never
stored, never cut short in silence and never a 500.

Text columns (`TextField`) carry these as `max_length`: the database does not
enforce it, but ModelForms, DRF ModelSerializers and `full_clean` do, and the
forms and serializers that are not built from a model name the same constant.
Short columns (`CharField`) keep the length of their column.
"""

from __future__ import annotations

# A name or a title: a ticket's subject, a motion's title, a meeting's place.
NAME = 200
# A reference someone types: a payment reference, an agreement's reference.
REFERENCE = 100
# A few paragraphs: a comment, a reason, a service's description, notes on an agreement.
SHORT_TEXT = 2_000
# A long text someone writes: a ticket's description, a reply, a resolution note, a motion, an agenda.
LONG_TEXT = 20_000
# A password: far longer than any passphrase, short enough that hashing it is cheap.
PASSWORD = 1_024
# A signed link's token (a survey link): what the platform issues is far shorter.
TOKEN = 500
# An uploaded file's name as stored (the extension is kept when it is shortened).
FILE_NAME = 150
