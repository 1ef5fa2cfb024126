fn main() {
    portal_web::sign_in_app::start();
}
