-- Migration 4: the GDPR contacts of a controller, named by the English texts
-- when set (GDPR art. 13(1)(b), art. 27): its data protection officer and its
-- representative in the EU. Optional; older revisions simply lack them.
ALTER TABLE requisites ADD COLUMN dpo TEXT;
ALTER TABLE requisites ADD COLUMN eu_representative TEXT;
