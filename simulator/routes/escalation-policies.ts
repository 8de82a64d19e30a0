import { defineRoutes } from "../http/route";

export const routes = defineRoutes([]);
