-- Data migration: identities created before verifiable addresses existed have no rows, so they reported
-- email_verified false and could not use the verification flow. Give each of them an unverified row per
-- trait its schema version marks `keyway.verification.via`, normalised as the application does
-- (normaliseIdentifier: trimmed, lower-cased). Identities whose schema version was never stored use the
-- built-in default schema, where only `email` is a verifiable address. An address another identity
-- already holds stays with that identity (the unique key decides; nothing is overwritten).
INSERT INTO "verifiable_addresses" ("id", "project_id", "identity_id", "via", "value", "verified", "created_at", "updated_at")
SELECT gen_random_uuid(), i."project_id", i."id", (trait.value -> 'keyway' -> 'verification' ->> 'via')::"VerifiableAddressVia",
       lower(regexp_replace(i."traits" ->> trait.key, '^\s+|\s+$', '', 'g')), false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM "identities" i
LEFT JOIN "identity_schemas" s ON s."project_id" = i."project_id" AND s."version" = i."schema_version"
CROSS JOIN LATERAL jsonb_each(
  COALESCE(s."schema" -> 'properties', '{"email": {"keyway": {"verification": {"via": "email"}}}}'::jsonb)
) AS trait
WHERE trait.value -> 'keyway' -> 'verification' ->> 'via' IN ('email', 'phone')
  AND jsonb_typeof(i."traits" -> trait.key) = 'string'
  AND regexp_replace(i."traits" ->> trait.key, '^\s+|\s+$', '', 'g') <> ''
ON CONFLICT ("project_id", "via", "value") DO NOTHING;
