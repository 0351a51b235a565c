import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '../auth.constants.js';

/** Lets a route through the global session guard without a token. @publicApi */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
