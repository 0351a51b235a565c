import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { errorMessage } from '../common/error-message.js';
import { UsersService } from '../user/user.service.js';
import { ProfileWriter } from './profile-writer.service.js';

/**
 * A merge fills the surviving person's missing fields from the merged one (user/merged-profile.ts).
 * The sessions moved over carry the new profile already; the survivor's own sessions, in every app,
 * get it here, after the merge is committed.
 */
@Injectable()
export class MergedPersonSessions implements OnModuleInit {
  private readonly logger = new Logger(MergedPersonSessions.name);

  constructor(
    private readonly users: UsersService,
    private readonly writer: ProfileWriter,
  ) {}

  onModuleInit(): void {
    this.users.onPersonsMerged(({ survivorId }) => {
      this.writer.refreshSessions(survivorId).catch((error: unknown) => {
        // The next profile change or login refreshes them; until then they show the old profile.
        this.logger.warn(
          `sessions of merged user ${survivorId} keep their old profile: ${errorMessage(error)}`,
        );
      });
    });
  }
}
