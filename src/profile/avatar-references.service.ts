import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { errorMessage } from '../common/error-message.js';
import { UsersService } from '../user/user.service.js';
import { AvatarFileStore } from './avatar-file-store.js';
import { userDatabaseCall } from './user-database-call.js';

/**
 * Deletes stored avatar files nobody uses any more. Files are content-addressed, so two users who
 * uploaded the same picture share one; a user's `avatar_file` column says which file they use.
 */
@Injectable()
export class AvatarReferences implements OnModuleInit {
  private readonly logger = new Logger(AvatarReferences.name);

  constructor(
    private readonly users: UsersService,
    private readonly files: AvatarFileStore,
  ) {}

  /** A merge of persons can leave the merged person's picture without an owner. */
  onModuleInit(): void {
    this.users.onPersonsMerged(({ survivorId, orphanedAvatarFiles }) => {
      for (const file of orphanedAvatarFiles) void this.releaseQuietly(file, survivorId);
    });
  }

  /**
   * Deletes `fileName` unless a user other than `exceptUserId` uses it. 503 if the database cannot say.
   *
   * Another user may start using the same file while this runs (an upload of the same picture). Their
   * upload writes the file, updates their row, then writes the file again if it is gone; this side
   * deletes, then asks again and puts the bytes back if someone now uses it. Whichever order the steps
   * interleave in, one of the two sees the other's work, and the file survives.
   */
  async releaseIfUnused(fileName: string, exceptUserId: number): Promise<void> {
    if ((await this.countOthers(fileName, exceptUserId)) > 0) return;
    const bytes = await this.files.read(fileName);
    if (!bytes) return;
    await this.files.remove(fileName);
    if ((await this.countOthers(fileName, exceptUserId)) > 0) await this.files.save(fileName, bytes);
  }

  /**
   * The same, for a caller whose own change already succeeded: a failure leaves an orphan file behind
   * (logged) rather than failing a request whose change is already stored.
   */
  async releaseQuietly(fileName: string, exceptUserId: number): Promise<void> {
    try {
      await this.releaseIfUnused(fileName, exceptUserId);
    } catch (error) {
      this.logger.warn(`avatar file ${fileName} left in place: ${errorMessage(error)}`);
    }
  }

  private countOthers(fileName: string, exceptUserId: number): Promise<number> {
    return userDatabaseCall(this.logger, 'avatar check', () =>
      this.users.countOthersWithAvatarFile(fileName, exceptUserId),
    );
  }
}
