/**
 * The JSON schema Fastify serialises a `UserProfileDto` response with (`@RouteSchema`): compiled once
 * into a dedicated stringifier, cheaper than `JSON.stringify`, and an allowlist: a field that is not
 * listed here never reaches the client, whatever the cached profile holds. Mirrors UserProfileDto
 * (user-profile.schema.spec.ts keeps them in step). Nothing is `required`: a missing field is left
 * out rather than failing the response.
 */
export const USER_PROFILE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    nickname: { type: ['string', 'null'] },
    avatarUrl: { type: ['string', 'null'] },
    gender: { type: 'integer' },
    province: { type: ['string', 'null'] },
    city: { type: ['string', 'null'] },
    country: { type: ['string', 'null'] },
    language: { type: ['string', 'null'] },
    phoneNumber: { type: ['string', 'null'] },
    countryCode: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
  additionalProperties: false,
} as const;

/** Route schema for handlers that answer 200 with a UserProfileDto. */
export const USER_PROFILE_RESPONSE = { response: { 200: USER_PROFILE_SCHEMA } };
