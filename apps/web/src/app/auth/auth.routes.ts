import type { Routes } from '@angular/router';
import { LoginPage } from './login.page';

const authRoutes: Routes = [{ path: '', component: LoginPage, title: 'Sign in · Tyto' }];

export default authRoutes;
