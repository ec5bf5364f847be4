-- BCDA answers 429 to a kick-off that overlaps an active export only for ACOs configured
-- for it, never for its test ACOs. NULL follows that rule (on, except for the test CMS
-- ids A9990-A9999, the sandbox's); true or false is an operator's choice
-- (`bcda aco limit-exports A1234 on|off|default`).
ALTER TABLE acos ADD COLUMN limit_concurrent_exports boolean;
