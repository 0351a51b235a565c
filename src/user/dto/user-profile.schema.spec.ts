import { mapUserProfile } from './user-profile.dto.js';
import { USER_PROFILE_SCHEMA } from './user-profile.schema.js';
import type { User } from '../user.entity.js';

describe('USER_PROFILE_SCHEMA', () => {
  test('lists exactly the fields mapUserProfile produces, so the serialiser neither drops nor adds one', () => {
    const profile = mapUserProfile({
      id: 1,
      nickname: null,
      avatarUrl: null,
      gender: 0,
      phoneNumber: null,
      countryCode: null,
      createdAt: new Date(0),
    } as unknown as User);
    expect(Object.keys(USER_PROFILE_SCHEMA.properties).sort()).toEqual(Object.keys(profile).sort());
  });
});
