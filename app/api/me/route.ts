import { requireApiUser } from "@/lib/auth";
import { apiRoute } from "@/lib/http";

// The signed-in user: a minimal authenticated endpoint (also used by tests).
export const GET = apiRoute(async () => {
  const user = await requireApiUser();
  return { id: user.id, email: user.email, name: user.name };
});
