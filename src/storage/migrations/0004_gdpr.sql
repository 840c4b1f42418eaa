-- Migration 4: what the English (GDPR) texts name. A controller's data
-- protection officer and its representative in the EU (GDPR art. 13(1)(b),
-- art. 27), optional; and the English captions of a source's fields (a JSON
-- object from a field's caption to its English caption; art. 12(1)).
ALTER TABLE requisites ADD COLUMN dpo TEXT;
ALTER TABLE requisites ADD COLUMN eu_representative TEXT;
ALTER TABLE sources ADD COLUMN captions_en TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(captions_en));
