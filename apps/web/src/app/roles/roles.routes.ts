import type { Routes } from '@angular/router';
import { RolesPage } from './roles.page';

const rolesRoutes: Routes = [{ path: '', component: RolesPage, title: 'Roles · Tyto' }];

export default rolesRoutes;
