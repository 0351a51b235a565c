import { ApiProperty, ApiPropertyOptional } from '../../swagger/api-docs.decorators.js';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from '../../http/class-validator.js';

/**
 * `POST /users/me/decrypt`: what `wx.getUserProfile` and other legacy open-data APIs hand the mini
 * program. The format of `encryptedData` and `iv` is checked by the decryption itself, so that every
 * bad payload gets the same `DECRYPT_FAILED`.
 * @publicApi
 */
export class DecryptOpenDataDto {
  @ApiProperty({
    description: 'Base64 AES-128-CBC ciphertext, exactly as received',
    example: 'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC',
    maxLength: 12_000,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(12_000)
  encryptedData!: string;

  @ApiProperty({
    description: 'Base64 initialisation vector, as received',
    example: 'r7BXXKkLb8qrSNn05n0qiA==',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  iv!: string;

  @ApiPropertyOptional({
    description: 'The clear `rawData` JSON string, exactly as received; requires `signature`',
    example:
      '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN"}',
    maxLength: 4_000,
  })
  @ValidateIf((dto: DecryptOpenDataDto) => dto.rawData !== undefined || dto.signature !== undefined)
  @IsString({ message: 'rawData must be sent together with signature' })
  @MaxLength(4_000)
  rawData?: string;

  @ApiPropertyOptional({
    description: 'Lowercase hex SHA-1 that WeChat sent with rawData; requires `rawData`',
    example: '75e81ceda165f4ffa64f4068af58c64b8f54b88c',
  })
  @ValidateIf((dto: DecryptOpenDataDto) => dto.rawData !== undefined || dto.signature !== undefined)
  @IsString({ message: 'signature must be sent together with rawData' })
  @MaxLength(64)
  signature?: string;
}
