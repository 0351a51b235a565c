import { ApiProperty } from '../../swagger/api-docs.decorators.js';
import { IsInt, Min } from '../../http/class-validator.js';

export class MergeUsersBody {
  @ApiProperty({ example: 42, description: 'The user merged into the one in the path, then deleted' })
  @IsInt()
  @Min(1)
  fromUserId!: number;
}
