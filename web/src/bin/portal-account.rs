fn main() {
    portal_web::account_app::start();
}
