import { ApiPropertyOptional } from '../../swagger/api-docs.decorators.js';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from '../../http/class-validator.js';

/** `GET /admin/users` filters: every given one must match. */
export class FindUsersQuery {
  @ApiPropertyOptional({ example: 42 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id?: number;

  @ApiPropertyOptional({ example: 'wx4f4bc4dec97d474b' })
  @IsOptional()
  @Matches(/^wx[0-9a-zA-Z]{1,30}$/)
  appid?: string;

  @ApiPropertyOptional({ example: 'o_example_openid' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  openid?: string;

  @ApiPropertyOptional({ example: 'o_example_unionid' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  unionid?: string;

  @ApiPropertyOptional({ example: '13800138000', description: 'With or without its country code' })
  @IsOptional()
  @Matches(/^\+?[0-9 -]{3,31}$/)
  phone?: string;

  @ApiPropertyOptional({ example: 20, description: '1 to 100; default 20' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's `next`" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;
}
