import { SetMetadata } from '@nestjs/common';

export const ACCESS_KEY = 'cineweave:access';
export type Access = 'public' | 'user' | 'admin' | 'internal';

/** No authentication: health, readiness, metrics, client configuration. */
export const Public = () => SetMetadata(ACCESS_KEY, 'public' satisfies Access);
/** Admins only: role from ADMIN_USER_IDS or a `role: admin` claim. */
export const AdminOnly = () => SetMetadata(ACCESS_KEY, 'admin' satisfies Access);
/** The operator, with `Authorization: Bearer $INTERNAL_TOKEN`. */
export const InternalOnly = () => SetMetadata(ACCESS_KEY, 'internal' satisfies Access);
