import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { HOME_PATH, SIGN_IN_PATH } from "@/lib/auth/paths";

export default async function Home() {
  redirect((await currentUser()) ? HOME_PATH : SIGN_IN_PATH);
}
