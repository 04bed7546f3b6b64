-- 0010_password_policy: a tenant may ask that passwords set through its provisioning APIs pass
-- the full password check too (the cracklib dictionary and the user's own names, as on the
-- set-password page): `provctl tenant password-policy --tenant ID --dictionary on`. Off for
-- every tenant, existing and new, so the vendors' own examples (Xtracta's password=12345678)
-- keep working; a sub-tenant follows its main tenant when that one turns it on.
ALTER TABLE tenants ADD COLUMN password_dictionary TINYINT(1) NOT NULL DEFAULT 0;
