import { ApiPropertyOptional } from '../../swagger/api-docs.decorators.js';
import { IsOptional, IsString, MaxLength } from '../../http/class-validator.js';

export class BanUserBody {
  @ApiPropertyOptional({ example: 'spam', description: 'A note for other operators (≤ 200 characters)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
