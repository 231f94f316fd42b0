import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { MaybeUser, OptionalAuth, UnauthenticatedError, type AuthUser } from '@taskyard/auth';
import { ApiData, SIGNED_URL_SCHEMA } from '../http/openapi';
import { contentDisposition, FilesService, type SignedUrlDto } from './files.service';

export class FileQueryDto {
  @ApiPropertyOptional({ enum: ['sign'], description: '`sign` returns a short-lived URL instead of the file' })
  @IsOptional() @IsIn(['sign'])
  method?: 'sign';

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128)
  signature?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(16)
  expires?: string;
}

@ApiTags('files')
@Controller('api/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  /**
   * Downloads an artifact with a Bearer token or a signed URL (`signature` + `expires`);
   * `?method=sign` answers `{signature, expires, url}` instead.
   */
  @OptionalAuth()
  @ApiData(SIGNED_URL_SCHEMA, 'with `?method=sign`; otherwise the file itself')
  @Get(':fileKey')
  async download(@MaybeUser() user: AuthUser | undefined, @Param('fileKey') key: string, @Query() q: FileQueryDto): Promise<StreamableFile | SignedUrlDto> {
    if (q.method === 'sign') {
      if (!user) throw new UnauthenticatedError('authentication required');
      return this.files.sign(user, key);
    }
    const file = await this.files.forDownload(user, key, q);
    return new StreamableFile(this.files.open(file.key), { type: file.contentType, length: file.size, disposition: contentDisposition(file.name) });
  }
}
